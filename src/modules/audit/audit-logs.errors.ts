/** Contract texts of GET /teams/:teamId/audit-logs (SPEC §2.10, §1.5). */
export const AuditLogsErrors = {
  invalidAction: 'action must be one of create, update, delete',
  invalidSince: 'since must be a valid ISO 8601 timestamp',
  invalidUntil: 'until must be a valid ISO 8601 timestamp',
  invalidCursor: 'Invalid cursor',
} as const;
