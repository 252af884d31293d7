// Small browser helpers the portal calls through JS interop.
window.portal = {
    // Marks the page as interactive (the circuit is connected), for scripts and browser tests.
    markInteractive: () => document.body.setAttribute("data-circuit", "ready"),
    readPreference: (key) => {
        try { return window.localStorage.getItem(key); } catch { return null; }
    },
    writePreference: (key, value) => {
        try { window.localStorage.setItem(key, value); } catch { /* storage blocked: not persisted */ }
    },
    copyText: (text) => navigator.clipboard.writeText(text),
};
