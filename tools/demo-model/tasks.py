"""Example generators for the demo model's three tasks.

The same generators exist in TypeScript (test/demo-model/tasks.ts). Both draw from a
mulberry32 PRNG in the same order, so a given seed yields the same examples in both languages.
"""

MASK32 = 0xFFFFFFFF


def mulberry32(seed):
    """Return a function giving floats in [0, 1), bit-identical to the usual JS mulberry32."""
    state = [seed & MASK32]

    def rnd():
        state[0] = (state[0] + 0x6D2B79F5) & MASK32
        a = state[0]
        t = ((a ^ (a >> 15)) * (a | 1)) & MASK32
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & MASK32)) & MASK32) ^ t
        return ((t ^ (t >> 14)) & MASK32) / 4294967296.0

    return rnd


def rand_int(rnd, lo, hi):
    """Uniform integer in [lo, hi]."""
    return lo + int(rnd() * (hi - lo + 1))


ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _below_100(n):
    if n < 20:
        return ONES[n]
    return TENS[n // 10] + ("-" + ONES[n % 10] if n % 10 else "")


def _below_1000(n):
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(ONES[hundreds] + " hundred")
    if rest:
        parts.append(_below_100(rest))
    return " ".join(parts)


def number_to_words(n):
    """0..999999 -> lowercase English words, no 'and', hyphenated tens-units."""
    if n == 0:
        return "zero"
    thousands, rest = divmod(n, 1000)
    parts = []
    if thousands:
        parts.append(_below_1000(thousands) + " thousand")
    if rest:
        parts.append(_below_1000(rest))
    return " ".join(parts)


def sample_number(rnd):
    """Uniform digit count 1..6, then uniform within it; 30% get extra zero digits."""
    digits = rand_int(rnd, 1, 6)
    if digits == 1:
        n = rand_int(rnd, 0, 9)
    else:
        n = rand_int(rnd, 10 ** (digits - 1), 10 ** digits - 1)
    if rnd() < 0.3:
        chars = list(str(n))
        for i in range(1, len(chars)):
            if rnd() < 0.5:
                chars[i] = "0"
        n = int("".join(chars))
    return n


def _ordinal(day):
    if 11 <= day % 100 <= 13:
        return str(day) + "th"
    return str(day) + {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _days_in_month(year, month):
    if month == 2:
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def format_date(style, year, month, day):
    """The six input styles of the date task."""
    name = MONTHS[month - 1]
    if style == 0:
        return f"{name} {_ordinal(day)}, {year}"
    if style == 1:
        return f"{name} {day}, {year}"
    if style == 2:
        return f"{MONTHS_SHORT[month - 1]} {day}, {year}"
    if style == 3:
        return f"{day} {name} {year}"
    if style == 4:
        return f"the {_ordinal(day)} of {name}, {year}"
    return f"{month}/{day}/{year}"


def sample_date(rnd):
    year = rand_int(rnd, 1900, 2099)
    month = rand_int(rnd, 1, 12)
    day = rand_int(rnd, 1, _days_in_month(year, month))
    style = rand_int(rnd, 0, 5)
    return f"date: {format_date(style, year, month, day)}", f"{year:04d}-{month:02d}-{day:02d}"


TASKS = ["number to words", "words to number", "date"]


def make_example(task, rnd):
    """(input text, target text) for one task."""
    if task == "number to words":
        n = sample_number(rnd)
        return f"number to words: {n}", number_to_words(n)
    if task == "words to number":
        n = sample_number(rnd)
        return f"words to number: {number_to_words(n)}", str(n)
    if task == "date":
        return sample_date(rnd)
    raise ValueError(task)


def held_out(seed, per_task):
    """per_task examples of each task, tasks in TASKS order, from one mulberry32 stream."""
    rnd = mulberry32(seed)
    out = []
    for task in TASKS:
        for _ in range(per_task):
            src, tgt = make_example(task, rnd)
            out.append({"task": task, "input": src, "target": tgt})
    return out


if __name__ == "__main__":
    assert number_to_words(0) == "zero"
    assert number_to_words(1205) == "one thousand two hundred five"
    assert number_to_words(40017) == "forty thousand seventeen"
    assert number_to_words(999999) == "nine hundred ninety-nine thousand nine hundred ninety-nine"
    r = mulberry32(1)
    print([r() for _ in range(3)])
    for ex in held_out(7, 4):
        print(ex)
