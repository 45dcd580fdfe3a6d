import { timingSafeEqual } from 'node:crypto';
import { ownersRepo, type DatabaseHandle } from '@pairpad/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClusterNode } from '../cluster/node';
import { LINK_SECRET_HEADER } from '../cluster/peer-links';

/** Marks a request one instance passed to another, so it is answered there, never passed on again. */
const FORWARDED_HEADER = 'x-pairpad-forwarded-by';
/** Headers of the owner's answer worth passing back to the client. */
const ANSWER_HEADERS = ['content-type', 'location', 'retry-after'];
const FORWARD_TIMEOUT_MS = 3_000;

/** True when the request carries this cluster's secret: it comes from a peer instance. */
export function fromPeer(request: FastifyRequest, node: ClusterNode | null): boolean {
  if (!node) return false;
  const presented = Buffer.from(String(request.headers[LINK_SECRET_HEADER] ?? ''));
  const secret = Buffer.from(node.config.secret);
  return presented.length === secret.length && timingSafeEqual(presented, secret);
}

/**
 * Several instances: a REST request about a room that another instance serves right now is
 * answered by that instance (it holds the live text, the participants and the room's limit),
 * and its answer is passed back. Resolves false, for the request to be answered here, when the
 * room is served here or by nobody, when the request already came from a peer, or when the
 * owner does not answer (then what is stored is the best answer there is).
 */
export async function answeredByOwner(
  request: FastifyRequest,
  reply: FastifyReply,
  roomId: string,
  node: ClusterNode | null,
  database: DatabaseHandle,
): Promise<boolean> {
  if (!node || request.headers[FORWARDED_HEADER] !== undefined) return false;
  const owner = await ownersRepo(database.db).owner(roomId);
  if (!owner || owner.instanceId === node.instanceId) return false;
  try {
    const response = await fetch(new URL(request.url, owner.address), {
      method: request.method,
      headers: {
        [FORWARDED_HEADER]: node.instanceId,
        [LINK_SECRET_HEADER]: node.config.secret,
        ...(request.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: request.body === undefined || request.method === 'GET' ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    const body = await response.text();
    void reply.code(response.status);
    for (const name of ANSWER_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) void reply.header(name, value);
    }
    await reply.send(body);
    return true;
  } catch (error) {
    request.log.warn({ err: error, owner: owner.instanceId }, 'room owner did not answer a forwarded request; answering from storage');
    return false;
  }
}
