import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;

/** Environment variables of SPEC §5; every message names its variable. */
export class EnvSchema {
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'PORT must be an integer' })
  @Min(0, { message: 'PORT must be between 0 and 65535' })
  @Max(65535, { message: 'PORT must be between 0 and 65535' })
  PORT?: number;

  @IsOptional() @IsString() HOST?: string;
  @IsOptional() @IsString() DATABASE_URL?: string;
  @IsOptional() @IsString() OWLMETRY_DATA_DIR?: string;
  @IsOptional() @IsString() NODE_ENV?: string;
  @IsOptional() @IsString() JWT_SECRET?: string;
  @IsOptional() @IsString() COOKIE_DOMAIN?: string;
  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional() @IsString() SMTP_URL?: string;
  @IsOptional() @IsString() EMAIL_FROM?: string;
  @IsOptional() @IsString() WEB_APP_URL?: string;
  @IsOptional() @IsString() REDIS_URL?: string;
  @IsOptional() @IsString() METRICS_TOKEN?: string;

  /** Comma-separated PostgreSQL URLs of hot standbys for the heavy reads (see README "Scaling out"). */
  @IsOptional()
  @IsString()
  @Matches(/^\s*postgres(ql)?:\/\/[^,\s]+(\s*,\s*postgres(ql)?:\/\/[^,\s]+)*\s*,?\s*$/, {
    message: 'DATABASE_REPLICA_URLS must be a comma-separated list of postgres:// URLs',
  })
  DATABASE_REPLICA_URLS?: string;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'REPLICA_MAX_LAG_MS must be a positive integer' })
  @Min(1, { message: 'REPLICA_MAX_LAG_MS must be a positive integer' })
  REPLICA_MAX_LAG_MS?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'REPLICA_WAIT_MS must be an integer of at least 0' })
  @Min(0, { message: 'REPLICA_WAIT_MS must be an integer of at least 0' })
  REPLICA_WAIT_MS?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'RATE_LIMIT_MAX_TOKENS must be a positive integer' })
  @Min(1, { message: 'RATE_LIMIT_MAX_TOKENS must be a positive integer' })
  RATE_LIMIT_MAX_TOKENS?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber({}, { message: 'RATE_LIMIT_REFILL_PER_SEC must be a positive number' })
  @Min(0.001, { message: 'RATE_LIMIT_REFILL_PER_SEC must be a positive number' })
  RATE_LIMIT_REFILL_PER_SEC?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'EVENT_RETENTION_DAYS must be a positive integer' })
  @Min(1, { message: 'EVENT_RETENTION_DAYS must be a positive integer' })
  EVENT_RETENTION_DAYS?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL?: string;
}
