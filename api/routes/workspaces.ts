import { Router } from 'express';
import { z } from 'zod';
import { createWorkspace } from '../../db/queries/workspaces';
import { requireAdmin } from '../auth';
import type { ApiContext } from '../context';
import { parseBody } from '../validate';

export const CreateWorkspace = z.object({ name: z.string().trim().min(1).max(200) }).strict();

/** Admin-only: creating a workspace hands out its first API key, once. */
export function workspacesRouter({ db, config }: ApiContext): Router {
  const router = Router();
  router.post('/', requireAdmin(config.adminToken), async (req, res) => {
    const { name } = parseBody(CreateWorkspace, req.body);
    res.status(201).json(await createWorkspace(db, name));
  });
  return router;
}
