import { z } from "zod";
import { TOKEN_SCOPES } from "@/lib/auth/permissions";

export const ZTokenName = z.string().trim().min(1, "a name is required").max(100, "at most 100 characters");
export const ZCreateToken = z.object({
  name: ZTokenName,
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, "choose at least one scope").max(TOKEN_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type TCreateToken = z.infer<typeof ZCreateToken>;
