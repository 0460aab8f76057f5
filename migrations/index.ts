import { InitialSchema1732700000000 } from './1732700000000-InitialSchema';
import { AnalyticsTables1764600000000 } from './1764600000000-AnalyticsTables';
import { MetricQueryIndexes1764700000000 } from './1764700000000-MetricQueryIndexes';
import { FunnelQueryIndexes1764800000000 } from './1764800000000-FunnelQueryIndexes';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests load the same set. */
export const MIGRATIONS = [
  InitialSchema1732700000000,
  AnalyticsTables1764600000000,
  MetricQueryIndexes1764700000000,
  FunnelQueryIndexes1764800000000,
];
