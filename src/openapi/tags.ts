import type { TagObject } from '@nestjs/swagger';

/**
 * The groups of the documentation page, in the order a new user meets them: sign in, set up a project and an
 * app, send events with the app's client key, read them back. Operations are listed in this order (and, within a
 * group, in the order their controllers declare them); a tag not listed here comes last.
 */
export const OPENAPI_TAGS: readonly TagObject[] = [
  {
    name: 'Auth',
    description:
      'Sign in with an emailed code: `send-code`, then `verify-code` (a session JWT, also set as the `token` cookie; a new ' +
      'user gets a personal team), or `agent-login` for an agent key (CLI). Then `whoami` tells who is calling.',
  },
  { name: 'Teams', description: 'Teams and their members. Every user has a personal team from the first sign-in.' },
  { name: 'Projects', description: 'A project groups the apps of one product inside a team.' },
  { name: 'Apps', description: 'An app (apple, android, web or backend) has a `client_key` that its SDK sends events with.' },
  { name: 'API keys', description: 'Agent keys (CLI, automation) and client keys (SDKs).' },
  { name: 'Ingest', description: 'What the SDKs call, with an app\'s `client_key`: event batches and identity claims.' },
  {
    name: 'Events',
    description:
      'Read stored events. `data_mode` defaults to `production`: events sent with `is_dev: true` are hidden unless ' +
      '`data_mode=development` or `data_mode=all` is given.',
  },
  { name: 'Metrics', description: 'Metric definitions, their raw rows and aggregations.' },
  { name: 'Funnels', description: 'Funnel definitions and unique users per step.' },
  { name: 'Invitations', description: 'Invite people to a team by email; they accept with the emailed token.' },
  { name: 'Audit logs', description: 'Who changed what in a team.' },
  { name: 'Operations', description: 'Health, readiness and Prometheus metrics (no `/v1` prefix).' },
];
