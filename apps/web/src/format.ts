import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/** A timestamp in the tenant's zone, e.g. 2026-11-22 23:30. */
export function formatTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  return dayjs(iso).tz(timeZone).format('YYYY-MM-DD HH:mm');
}
export { dayjs };
