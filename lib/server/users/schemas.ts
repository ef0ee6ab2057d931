import { z } from "zod";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { ROLES } from "@/lib/auth/permissions";

export const ZEmail = z.string().trim().toLowerCase().max(320).pipe(z.email("must be an email address"));
export const ZPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
export const ZCreateUser = z.object({
  email: ZEmail,
  role: z.enum(ROLES),
  password: ZPassword.optional(),
  name: z.string().trim().min(1).max(200).optional(),
});
export type TCreateUser = z.infer<typeof ZCreateUser>;
