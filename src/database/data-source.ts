import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { baseDataSourceOptions } from './typeorm-options';

/**
 * DataSource for the TypeORM CLI (`npm run migration:run|revert|generate`). Needs DATABASE_URL;
 * the embedded database is only managed by the running server.
 */
const config = loadConfig();
if (!config.databaseUrl) throw new Error('DATABASE_URL must be set for the TypeORM CLI');

export default new DataSource({
  ...baseDataSourceOptions(config.databaseUrl),
  entities: [`${__dirname}/../modules/**/*.entity.{ts,js}`],
});
