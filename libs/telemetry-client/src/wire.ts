// What the telemetry read API answers, as zod schemas: the one description of its wire format, parsed at
// the client's boundary and used as types by the server that writes it.
import { RoastSessionStatus, SessionPhase } from '@roast-operator/api';
import { z } from 'zod';

/** The API group and version in the path: versioned like an aggregated API, so a v1 can live beside it. */
export const apiGroup = 'telemetry.roasting.simcorp.io';
export const apiVersion = 'v1alpha1';
export const apiPrefix = `/apis/${apiGroup}/${apiVersion}`;

/** The path of a session's telemetry. */
export const sessionPath = (namespace: string, name: string) =>
  `${apiPrefix}/namespaces/${encodeURIComponent(namespace)}/roastsessions/${encodeURIComponent(name)}`;

export const CurvePoint = z.object({
  /** Seconds since the origin; negative before the charge (preheating). */
  t: z.number(),
  /** RFC 3339, milliseconds, on the edge's sample clock. */
  time: z.string(),
  beanTemperatureCelsius: z.number().optional(),
  ibtsTemperatureCelsius: z.number().optional(),
  exhaustTemperatureCelsius: z.number().optional(),
  beanRateOfRiseCelsiusPerMinute: z.number().optional(),
  heater: z.number(),
  fan: z.number(),
  drum: z.number(),
  stateCode: z.number(),
});
export type CurvePoint = z.infer<typeof CurvePoint>;

/** Where t = 0 is: the session's charge when recorded, else its first stored point. */
export const Origin = z.object({ time: z.string(), from: z.enum(['charge', 'firstPoint']) });
export type Origin = z.infer<typeof Origin>;

export const SessionIdentity = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  roaster: z.string(),
  phase: z.string(),
});
export type SessionIdentity = z.infer<typeof SessionIdentity>;

export const RoastEvents = RoastSessionStatus.shape.events.unwrap();
export type RoastEvents = z.infer<typeof RoastEvents>;

/** One answer of a read (not a follow). */
export const SessionTelemetry = z.object({
  apiVersion: z.string(),
  kind: z.literal('RoastSessionTelemetry'),
  session: SessionIdentity,
  events: RoastEvents,
  origin: Origin.optional(),
  /** The bucket width when the curve was thinned (step or maxPoints). */
  stepMs: z.number().optional(),
  /** More points follow: ask again with since = the last point's time. */
  more: z.boolean(),
  points: z.array(CurvePoint),
});
export type SessionTelemetry = z.infer<typeof SessionTelemetry>;

/** The media type of a follow: one JSON object per line (NDJSON), each with a `type`. */
export const followContentType = 'application/x-ndjson';

/**
 * The lines of a follow (`?follow=true`), in the order they come: `session` first, then `status` (and again
 * whenever the phase or events change), `points` as they are stored, `heartbeat` after a quiet while; the
 * stream ends with `end` (the session ended and every point was sent), `lagged` (the caller read too slowly:
 * resume with since = resumeSince) or `error`.
 */
export const FollowLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session'), apiVersion: z.string(), session: SessionIdentity }),
  z.object({ type: z.literal('status'), phase: SessionPhase, events: RoastEvents }),
  z.object({ type: z.literal('points'), origin: Origin.optional(), points: z.array(CurvePoint).min(1) }),
  z.object({ type: z.literal('heartbeat'), time: z.string() }),
  z.object({ type: z.literal('end'), phase: SessionPhase }),
  z.object({
    type: z.literal('lagged'),
    /** The time of the last point sent; absent when none was. */
    resumeSince: z.string().optional(),
    message: z.string(),
  }),
  z.object({ type: z.literal('error'), code: z.int(), message: z.string() }),
]);
export type FollowLine = z.infer<typeof FollowLine>;
