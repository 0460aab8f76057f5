/**
 * Body of POST /v1/ingest. Deliberately not a class-validator DTO: the batch is checked by hand
 * (IngestService: envelope rules in contract order, then validateEvent per event), because a whole batch is
 * never rejected for one bad event, and transforming 100 nested objects through class-transformer on every
 * request would cost more than the rest of the request.
 */
export interface IngestBody {
  events?: unknown;
  bundle_id?: unknown;
}
