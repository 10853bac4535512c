export { type FollowRequest, followOnce, followSession, type ReadApi, ReadApiError } from './follow.ts';
export {
  apiGroup,
  apiPrefix,
  apiVersion,
  CurvePoint,
  FollowLine,
  followContentType,
  Origin,
  RoastEvents,
  SessionIdentity,
  SessionTelemetry,
  sessionPath,
} from './wire.ts';
