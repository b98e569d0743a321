import type { Translator } from './translate.js';

/** "30 seconds", "2 minutes": a wait as people say it, rounded up to whole minutes past one. */
export function describeWait(t: Translator, seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60)
    return whole === 1 ? t.text('wait.second') : t.text('wait.seconds', { count: whole });
  const minutes = Math.ceil(whole / 60);
  return minutes === 1 ? t.text('wait.minute') : t.text('wait.minutes', { count: minutes });
}
