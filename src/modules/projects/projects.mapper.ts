import { toIso } from '../../common/http/timestamp';
import { ProjectEntity } from './entities/project.entity';

export interface ProjectResponse {
  id: string;
  team_id: string;
  name: string;
  slug: string;
  created_at: string;
}

export const toProjectResponse = (p: ProjectEntity): ProjectResponse => ({
  id: p.id,
  team_id: p.teamId,
  name: p.name,
  slug: p.slug,
  created_at: toIso(p.createdAt),
});
