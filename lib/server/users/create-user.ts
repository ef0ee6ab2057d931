import "server-only";
import { AppError } from "@/lib/api/errors";
import { type Actor, actorRef } from "@/lib/auth/actor";
import { hashPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { appendLedgerEntry } from "@/lib/server/ledger/append-ledger-entry";
import { type TCreateUser, ZCreateUser } from "./schemas";

export async function createUser(options: { actor: Actor; input: TCreateUser; now: Date; isDemo?: boolean }) {
  const input = ZCreateUser.parse(options.input);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  try {
    return await insertUser({ ...options, input, passwordHash });
  } catch (error) {
    // Two concurrent creations of one email: the loser hits the unique index.
    if ((error as { code?: unknown }).code === "P2002") throw new AppError("conflict", `A user with email ${input.email} already exists`);
    throw error;
  }
}

async function insertUser(options: { actor: Actor; input: TCreateUser; now: Date; isDemo?: boolean; passwordHash: string | null }) {
  const { input, passwordHash } = options;
  return db().$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw new AppError("conflict", `A user with email ${input.email} already exists`);
    const user = await tx.user.create({
      data: {
        email: input.email,
        name: input.name ?? null,
        role: input.role,
        passwordHash,
        isDemo: options.isDemo ?? false,
        createdAt: options.now,
      },
    });
    await appendLedgerEntry(tx, {
      kind: "user.created",
      actor: actorRef(options.actor),
      subject: `user:${user.id}`,
      payload: { email: user.email, role: user.role, demo: user.isDemo },
      now: options.now,
    });
    return { id: user.id, email: user.email, role: user.role, name: user.name };
  });
}
