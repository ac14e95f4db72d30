/**
 * Example generators for the demo model's three tasks (models/demo-t5), the TypeScript twin of
 * tools/demo-model/tasks.py: both draw from mulberry32 in the same order, so one seed gives the
 * same examples in both languages.
 */

/** The three task names, in the order {@link heldOut} emits them. */
export const TASKS = ['number to words', 'words to number', 'date'] as const;
export type TaskName = (typeof TASKS)[number];

/** One example: the prompt and the exact expected answer. */
export interface TaskExample {
  readonly task: TaskName;
  readonly input: string;
  readonly target: string;
}

/** A seeded PRNG giving floats in [0, 1) (mulberry32, 32-bit state). */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [lo, hi]. */
export function randInt(rnd: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function below100(n: number): string {
  if (n < 20) return ONES[n];
  return TENS[Math.floor(n / 10)] + (n % 10 === 0 ? '' : `-${ONES[n % 10]}`);
}

function below1000(n: number): string {
  const parts: string[] = [];
  const hundreds = Math.floor(n / 100);
  if (hundreds > 0) parts.push(`${ONES[hundreds]} hundred`);
  if (n % 100 > 0) parts.push(below100(n % 100));
  return parts.join(' ');
}

/** 0..999999 -> lowercase English words: no "and", tens-units hyphenated (40017 -> "forty thousand seventeen"). */
export function numberToWords(n: number): string {
  if (n === 0) return 'zero';
  const parts: string[] = [];
  const thousands = Math.floor(n / 1000);
  if (thousands > 0) parts.push(`${below1000(thousands)} thousand`);
  if (n % 1000 > 0) parts.push(below1000(n % 1000));
  return parts.join(' ');
}

/** Digit count uniform in 1..6, then uniform within it; 30% get some inner digits zeroed. */
export function sampleNumber(rnd: () => number): number {
  const digits = randInt(rnd, 1, 6);
  let n = digits === 1 ? randInt(rnd, 0, 9) : randInt(rnd, 10 ** (digits - 1), 10 ** digits - 1);
  if (rnd() < 0.3) {
    const chars = String(n).split('');
    for (let i = 1; i < chars.length; i += 1) {
      if (rnd() < 0.5) chars[i] = '0';
    }
    n = Number(chars.join(''));
  }
  return n;
}

function ordinal(day: number): string {
  if (day % 100 >= 11 && day % 100 <= 13) return `${day}th`;
  const suffix = { 1: 'st', 2: 'nd', 3: 'rd' }[day % 10] ?? 'th';
  return `${day}${suffix}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The six input styles of the date task (style 0..5), e.g. style 0: "March 3rd, 2021". */
export function formatDate(style: number, year: number, month: number, day: number): string {
  const name = MONTHS[month - 1];
  switch (style) {
    case 0:
      return `${name} ${ordinal(day)}, ${year}`;
    case 1:
      return `${name} ${day}, ${year}`;
    case 2:
      return `${MONTHS_SHORT[month - 1]} ${day}, ${year}`;
    case 3:
      return `${day} ${name} ${year}`;
    case 4:
      return `the ${ordinal(day)} of ${name}, ${year}`;
    default:
      return `${month}/${day}/${year}`;
  }
}

function sampleDate(rnd: () => number): TaskExample {
  const year = randInt(rnd, 1900, 2099);
  const month = randInt(rnd, 1, 12);
  const day = randInt(rnd, 1, daysInMonth(year, month));
  const style = randInt(rnd, 0, 5);
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { task: 'date', input: `date: ${formatDate(style, year, month, day)}`, target: iso };
}

/** One example of a task, drawing from rnd. */
export function makeExample(task: TaskName, rnd: () => number): TaskExample {
  switch (task) {
    case 'number to words': {
      const n = sampleNumber(rnd);
      return { task, input: `number to words: ${n}`, target: numberToWords(n) };
    }
    case 'words to number': {
      const n = sampleNumber(rnd);
      return { task, input: `words to number: ${numberToWords(n)}`, target: String(n) };
    }
    case 'date':
      return sampleDate(rnd);
  }
}

/** perTask examples of each task, tasks in {@link TASKS} order, from one mulberry32 stream. */
export function heldOut(seed: number, perTask: number): TaskExample[] {
  const rnd = mulberry32(seed);
  return TASKS.flatMap((task) => Array.from({ length: perTask }, () => makeExample(task, rnd)));
}

/** The seed of the held-out set (never used in training; the PyTorch fixture uses it too). */
export const HELD_OUT_SEED = 20261125;
