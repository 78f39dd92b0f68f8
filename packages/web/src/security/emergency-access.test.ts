import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EMERGENCY_MINUTES,
  EMERGENCY_DURATIONS,
  emergencyOf,
  MAX_EMERGENCY_MINUTES,
  mayBreakTheGlass,
  reasonProblem,
  remainingText,
  sameEmergency,
} from './emergency-access';

describe('emergency access', () => {
  it('is offered to users with the permission whose access is limited', () => {
    const referring = {
      roles: ['referring-physician'],
      permissions: ['self', 'study:read', 'study:emergency'],
    };
    expect(mayBreakTheGlass(referring)).toBe(true);
    expect(mayBreakTheGlass({ ...referring, institutions: [] })).toBe(true);
    const radiologist = { roles: ['radiologist'], permissions: ['self', 'study:read', 'study:emergency'] };
    // Radiologists see every study already, unless limited to some institutions.
    expect(mayBreakTheGlass(radiologist)).toBe(false);
    expect(mayBreakTheGlass({ ...radiologist, institutions: ['North Hospital'] })).toBe(true);
    // Administrators see everything but may not break the glass; data scientists may not either.
    expect(mayBreakTheGlass({ roles: ['admin'], permissions: ['self', 'study:read', 'admin'] })).toBe(false);
    expect(
      mayBreakTheGlass({
        roles: ['data-scientist'],
        permissions: ['self', 'study:read'],
        institutions: ['X'],
      }),
    ).toBe(false);
    // A referring physician who is also a radiologist sees everything.
    expect(mayBreakTheGlass({ ...referring, roles: ['referring-physician', 'radiologist'] })).toBe(false);
  });

  it('asks for a reason of 10 characters or more, as the server does', () => {
    expect(reasonProblem('')).toBe('State why you need emergency access.');
    expect(reasonProblem('   ')).toBe('State why you need emergency access.');
    expect(reasonProblem(' too short ')).toBe('State the reason in at least 10 characters.');
    expect(reasonProblem('unconscious patient')).toBeUndefined();
  });

  it('offers durations within the server limit, with its default', () => {
    expect(EMERGENCY_DURATIONS.map((d) => d.minutes)).toContain(DEFAULT_EMERGENCY_MINUTES);
    expect(Math.max(...EMERGENCY_DURATIONS.map((d) => d.minutes))).toBe(MAX_EMERGENCY_MINUTES);
    expect(Math.min(...EMERGENCY_DURATIONS.map((d) => d.minutes))).toBeGreaterThanOrEqual(1);
  });

  it('writes the time left in seconds, minutes, then hours and minutes, rounding up', () => {
    expect(remainingText(0)).toBe('expired');
    expect(remainingText(-5000)).toBe('expired');
    expect(remainingText(1)).toBe('1 s');
    expect(remainingText(45_000)).toBe('45 s');
    expect(remainingText(59_000)).toBe('59 s');
    expect(remainingText(59_001)).toBe('1 min');
    expect(remainingText(60_000)).toBe('1 min');
    expect(remainingText(60_001)).toBe('2 min');
    expect(remainingText(59 * 60_000)).toBe('59 min');
    expect(remainingText(60 * 60_000)).toBe('1 h 00 min');
    expect(remainingText(65 * 60_000 - 500)).toBe('1 h 05 min');
    expect(remainingText(240 * 60_000)).toBe('4 h 00 min');
  });

  it('reads the server answer and tells states apart', () => {
    const a = emergencyOf({
      reason: 'unconscious patient',
      startedAt: '2024-03-04T10:00:00.000Z',
      expiresAt: '2024-03-04T11:00:00.000Z',
    });
    expect(a).toEqual({
      reason: 'unconscious patient',
      startedAt: Date.UTC(2024, 2, 4, 10),
      expiresAt: Date.UTC(2024, 2, 4, 11),
    });
    expect(sameEmergency(a, { ...a })).toBe(true);
    expect(sameEmergency(a, { ...a, expiresAt: a.expiresAt + 1 })).toBe(false);
    expect(sameEmergency(a, null)).toBe(false);
    expect(sameEmergency(null, null)).toBe(true);
  });
});
