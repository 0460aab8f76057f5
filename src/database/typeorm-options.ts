import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { MIGRATIONS } from '../../migrations';

/** Connection options shared by the app (via TypeOrmModule), the CLI data source and the test setup. */
export function baseDataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    synchronize: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    // A bounded pool; ingest transactions are short. parseInt8 keeps counts as numbers.
    extra: { max: 20, idleTimeoutMillis: 30_000 },
    parseInt8: true,
  };
}
