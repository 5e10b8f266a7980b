import { z } from 'zod';

/** List pages whose filters a user can save under a name. */
export const SavedViewPage = z.enum(['customers', 'leads']);
export type SavedViewPage = z.infer<typeof SavedViewPage>;

export const SavedView = z.object({
  id: z.string(),
  page: SavedViewPage,
  name: z.string(),
  filters: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type SavedView = z.infer<typeof SavedView>;

export const CreateSavedView = z.object({
  page: SavedViewPage,
  name: z.string().trim().min(1).max(60),
  /** Checked against the page's own filter schema. */
  filters: z.record(z.string(), z.unknown()),
});
export type CreateSavedView = z.infer<typeof CreateSavedView>;
