using System.Globalization;
using Quartz;

namespace AutomationPortal.Web.Features.Automations.Scheduling;

/// <summary>Checks Quartz cron expressions, lists their next fire times, and says the common ones in plain words.</summary>
public static class CronSchedule
{
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] DayCodes = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Null when valid and it fires again after <paramref name="now"/>; otherwise what is wrong, in words a person can act on.</summary>
    public static string? Validate(string? expression, DateTimeOffset now) =>
        SyntaxProblem(expression) ?? (CronExpression.Parse(expression!.Trim()).GetNextValidTimeAfter(now) is null ? "This schedule never fires again." : null);

    private static string? SyntaxProblem(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "Enter a schedule, for example 0 0 3 * * ? (every day at 03:00).";
        }

        var fields = expression.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 6 or > 7)
        {
            return $"A schedule has 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]); this one has {fields.Length}.";
        }

        try
        {
            _ = CronExpression.Parse(expression.Trim());
        }
        catch (FormatException e)
        {
            return $"Not a valid schedule: {e.Message}";
        }

        return null;
    }

    /// <summary>The next fire times after <paramref name="after"/>, in UTC.</summary>
    public static IReadOnlyList<DateTime> NextFireTimes(string expression, string timeZone, DateTimeOffset after, int count)
    {
        var cron = new CronExpression(expression.Trim(), TimeZoneInfo.FindSystemTimeZoneById(timeZone));
        var times = new List<DateTime>(count);
        var from = after;
        while (times.Count < count && cron.GetNextValidTimeAfter(from) is { } next)
        {
            times.Add(next.UtcDateTime);
            from = next;
        }

        return times;
    }

    /// <summary>Fire times strictly between two instants, at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<DateTime> FireTimesBetween(string expression, string timeZone, DateTime afterUtc, DateTime beforeUtc, int limit)
    {
        var cron = new CronExpression(expression.Trim(), TimeZoneInfo.FindSystemTimeZoneById(timeZone));
        var times = new List<DateTime>();
        var from = new DateTimeOffset(DateTime.SpecifyKind(afterUtc, DateTimeKind.Utc));
        while (times.Count < limit && cron.GetNextValidTimeAfter(from) is { } next && next.UtcDateTime < beforeUtc)
        {
            times.Add(next.UtcDateTime);
            from = next;
        }

        return times;
    }

    /// <summary>Plain words for the common forms; null for anything else (show the expression itself then).</summary>
    public static string? Describe(string? expression)
    {
        if (SyntaxProblem(expression) is not null)
        {
            return null;
        }

        var f = expression!.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length == 7 && f[6] != "*")
        {
            return null;
        }

        var (sec, min, hour, dom, month, dow) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        var anyDay = dom is "*" or "?" && dow is "*" or "?";
        if (month != "*")
        {
            return MonthName(month) is { } name && IsNumber(sec) && IsNumber(min) && dow is "?" or "*" && IsNumber(dom) && TryTimes(hour, min, out var yearly)
                ? $"Every year on {int.Parse(dom, CultureInfo.InvariantCulture)} {name} at {yearly}"
                : null;
        }

        if (anyDay && Step(sec) is { } everySeconds && min == "*" && hour == "*")
        {
            return everySeconds == 1 ? "Every second" : $"Every {everySeconds} seconds";
        }

        if (sec == "*" && min == "*" && hour == "*" && anyDay)
        {
            return "Every second";
        }

        if (!IsNumber(sec))
        {
            return null;
        }

        if (anyDay && hour == "*")
        {
            if (min == "*")
            {
                return "Every minute";
            }

            if (Step(min) is { } everyMinutes)
            {
                return everyMinutes == 1 ? "Every minute" : $"Every {everyMinutes} minutes";
            }

            if (IsNumber(min))
            {
                return min == "0" ? "Every hour, on the hour" : $"Every hour at minute {int.Parse(min, CultureInfo.InvariantCulture)}";
            }

            return null;
        }

        if (anyDay && IsNumber(min) && Step(hour) is { } everyHours)
        {
            return everyHours == 1 ? $"Every hour at minute {int.Parse(min, CultureInfo.InvariantCulture)}" : $"Every {everyHours} hours at minute {int.Parse(min, CultureInfo.InvariantCulture)}";
        }

        if (!IsNumber(min) || !TryTimes(hour, min, out var at))
        {
            return null;
        }

        if (anyDay)
        {
            return $"Every day at {at}";
        }

        if (dom is "?" or "*" && DescribeDays(dow) is { } days)
        {
            return $"{days} at {at}";
        }

        if (dow is "?" or "*")
        {
            if (dom == "L")
            {
                return $"On the last day of every month at {at}";
            }

            if (IsNumber(dom))
            {
                return $"On day {int.Parse(dom, CultureInfo.InvariantCulture)} of every month at {at}";
            }
        }

        return null;
    }

    private static readonly string[] MonthAbbreviations = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    private static string? MonthName(string month)
    {
        var number = IsNumber(month) ? int.Parse(month, CultureInfo.InvariantCulture) : Array.IndexOf(MonthAbbreviations, month.ToUpperInvariant()) + 1;
        return number is >= 1 and <= 12 ? CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(number) : null;
    }

    private static bool TryTimes(string hour, string minute, out string text)
    {
        var m = int.Parse(minute, CultureInfo.InvariantCulture);
        var hours = hour.Split(',');
        if (hours.All(IsNumber))
        {
            text = string.Join(", ", hours.Select(h => $"{int.Parse(h, CultureInfo.InvariantCulture):00}:{m:00}"));
            text = hours.Length > 1 ? ReplaceLast(text, ", ", " and ") : text;
            return true;
        }

        text = "";
        return false;
    }

    private static string? DescribeDays(string dow)
    {
        var upper = dow.ToUpperInvariant();
        if (upper is "MON-FRI" or "2-6")
        {
            return "Every weekday (Monday to Friday)";
        }

        if (upper is "SAT,SUN" or "SUN,SAT" or "1,7" or "7,1")
        {
            return "Every weekend day";
        }

        var days = upper.Split(',');
        var names = new List<string>();
        foreach (var day in days)
        {
            var index = Array.IndexOf(DayCodes, day);
            if (index < 0 && int.TryParse(day, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 7)
            {
                index = number - 1;
            }

            if (index < 0)
            {
                return null;
            }

            names.Add(DayNames[index]);
        }

        return "Every " + ReplaceLast(string.Join(", ", names), ", ", " and ");
    }

    private static int? Step(string field)
    {
        var parts = field.Split('/');
        return parts.Length == 2 && parts[0] is "*" or "0" && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var step) && step > 0 ? step : null;
    }

    private static bool IsNumber(string field) => field.Length > 0 && field.All(char.IsAsciiDigit);

    private static string ReplaceLast(string text, string find, string replace)
    {
        var at = text.LastIndexOf(find, StringComparison.Ordinal);
        return at < 0 ? text : text[..at] + replace + text[(at + find.Length)..];
    }
}
