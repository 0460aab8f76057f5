import { Module } from '@nestjs/common';
import { PgPool } from './pg-pool';

/** PgPool for the modules that need the pg pool itself (events: the prepared ingest statement; observability: the pool gauge). */
@Module({
  providers: [PgPool],
  exports: [PgPool],
})
export class PgPoolModule {}
