/**
 * Which of the rarer paths of a takeover were taken, summed over all sessions. Only read by tests
 * and diagnostics: signal timing cannot be forced, so tests report these instead of asserting them.
 */
export const traceStats = {
  sessions: 0,
  signalsDeliveredEarly: 0,
  signalsHeld: 0,
  syscallsRewound: 0,
  syscallRetries: 0,
  releasedLater: 0,
  /** aarch64 (arm64-restart.ts): restarts probed, and held signals handed to a re-entered call. */
  restartsProbed: 0,
  signalsReentered: 0,
};
