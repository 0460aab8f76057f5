import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { Principal } from '../../common/auth/principal';
import { CursorPosition, decodeCursor, normalizeLimit, pageOf } from '../../common/http/pagination';
import { parseTimestamp } from '../../common/http/timestamp';
import { isUuid } from '../../common/http/uuid';
import { AppsService } from '../apps/apps.service';
import { TeamAccessService } from '../teams/team-access.service';
import { ListEventsQueryDto } from './dto/list-events-query.dto';
import { DataMode, isDevFilterOf } from './events.constants';
import { EventQueryErrors } from './events.errors';
import { EventPageResponse, EventResponse, toEventResponse } from './events.mapper';
import { EventsRepository } from './events.repository';

const EMPTY_PAGE: Readonly<EventPageResponse> = Object.freeze({ events: [], cursor: null, has_more: false });

/** GET /v1/events and GET /v1/events/:id (§2.8): scope = live apps of the teams the caller can access. */
@Injectable()
export class EventsQueryService {
  constructor(
    private readonly events: EventsRepository,
    private readonly apps: AppsService,
    private readonly access: TeamAccessService,
  ) {}

  async list(who: Principal, q: ListEventsQueryDto): Promise<EventPageResponse> {
    let cursor: CursorPosition | undefined;
    if (q.cursor !== undefined) {
      cursor = decodeCursor(q.cursor) ?? undefined;
      if (!cursor) throw new BadRequestException(EventQueryErrors.invalidCursor);
    }
    const limit = normalizeLimit(q.limit);
    const teamIds = await this.access.scopeTeamIds(who, q.team_id);
    if (teamIds.length === 0) return { ...EMPTY_PAGE };
    const rows = await this.events.list({
      // `app_id` wins over `project_id`; without either, every live app of the accessible (or filtered) teams.
      scope: { teamIds, appId: q.app_id?.toLowerCase(), projectId: q.app_id === undefined ? q.project_id?.toLowerCase() : undefined },
      level: q.level,
      userId: q.user_id,
      sessionId: q.session_id?.toLowerCase(),
      environment: q.environment,
      screenName: q.screen_name,
      since: q.since === undefined ? undefined : (parseTimestamp(q.since) ?? undefined),
      until: q.until === undefined ? undefined : (parseTimestamp(q.until) ?? undefined),
      isDev: isDevFilterOf((q.data_mode as DataMode | undefined) ?? DataMode.Production),
      cursor,
      fetch: limit + 1,
    });
    // The rows are already in the wire shape (EventListRow); the cursor needs the last one's instant.
    const page = pageOf(rows, limit, (e) => ({ timestamp: new Date(e.timestamp), id: e.id }));
    return { events: page.items, cursor: page.cursor, has_more: page.has_more };
  }

  /** 404 for unknown or malformed ids, events of deleted apps and events of teams the caller cannot see. */
  async get(who: Principal, id: string): Promise<EventResponse> {
    const row = isUuid(id) ? await this.events.findById(id.toLowerCase()) : null;
    const app = row ? await this.apps.findActive(row.appId) : null;
    if (!row || !app || !(await this.access.isTeamVisible(who, app.teamId))) {
      throw new NotFoundException(EventQueryErrors.notFound);
    }
    return toEventResponse(row);
  }
}
