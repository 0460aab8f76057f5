/**
 * Monthly partitions of `events` (range on "timestamp", UTC months). Pure: names and bounds only; the DDL
 * lives in EventsRepository.ensurePartitions. Names and bounds are interpolated into DDL (identifiers and
 * partition bounds cannot be bind parameters), so both are checked against strict patterns first.
 */
export interface MonthPartition {
  /** `events_y2026m11` */
  name: string;
  /** Inclusive lower bound, `2026-11-01T00:00:00.000Z`. */
  from: string;
  /** Exclusive upper bound, `2026-12-01T00:00:00.000Z`. */
  to: string;
}

/** Which months to keep ready around `now`: the previous one (late events), this one and the next two. */
export const PARTITION_MONTHS_BEHIND = 1;
export const PARTITION_MONTHS_AHEAD = 2;

export const PARTITION_NAME_RE = /^events_y\d{4}m(0[1-9]|1[0-2])$/;
export const PARTITION_BOUND_RE = /^\d{4}-(0[1-9]|1[0-2])-01T00:00:00\.000Z$/;

const monthStart = (year: number, monthIndex: number): Date => new Date(Date.UTC(year, monthIndex, 1));

/** The partition holding `month` (any instant inside it). */
export function partitionFor(month: Date): MonthPartition {
  const year = month.getUTCFullYear();
  const index = month.getUTCMonth();
  const from = monthStart(year, index);
  const to = monthStart(year, index + 1);
  const mm = String(index + 1).padStart(2, '0');
  return { name: `events_y${String(year).padStart(4, '0')}m${mm}`, from: from.toISOString(), to: to.toISOString() };
}

/** Partitions from `behind` months before `now`'s month to `ahead` months after it, oldest first. */
export function partitionsAround(now: Date, behind = PARTITION_MONTHS_BEHIND, ahead = PARTITION_MONTHS_AHEAD): MonthPartition[] {
  const out: MonthPartition[] = [];
  for (let offset = -behind; offset <= ahead; offset++) {
    out.push(partitionFor(monthStart(now.getUTCFullYear(), now.getUTCMonth() + offset)));
  }
  return out;
}

/** Throws unless name and bounds have exactly the expected shape (they end up inside DDL text). */
export function assertSafePartition(p: MonthPartition): void {
  if (!PARTITION_NAME_RE.test(p.name) || !PARTITION_BOUND_RE.test(p.from) || !PARTITION_BOUND_RE.test(p.to)) {
    throw new Error(`refusing unsafe partition definition ${JSON.stringify(p)}`);
  }
}

/** The partition a name like `events_y2026m11` stands for; null for any other name (e.g. events_default). */
export function partitionNamed(name: string): MonthPartition | null {
  const m = /^events_y(\d{4})m(0[1-9]|1[0-2])$/.exec(name);
  return m ? partitionFor(monthStart(Number(m[1]), Number(m[2]) - 1)) : null;
}
