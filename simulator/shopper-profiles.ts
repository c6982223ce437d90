import type { DEVICE_TYPES, TRAFFIC_SOURCES } from '../functions/domain/click-event.js';

export type TrafficSource = (typeof TRAFFIC_SOURCES)[number];
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** Where sessions come from, roughly as a mid-size web shop sees it. */
export const TRAFFIC_SOURCE_WEIGHTS = {
  organic: 0.35,
  paid_search: 0.2,
  direct: 0.2,
  social: 0.1,
  email: 0.08,
  referral: 0.07,
} as const satisfies Record<TrafficSource, number>;

/** Most shopping sessions are on phones. */
export const DEVICE_WEIGHTS = { mobile: 0.58, desktop: 0.36, tablet: 0.06 } as const satisfies Record<
  DeviceType,
  number
>;

/** A few real-looking user agents per device, so consumers that parse them see variety. */
export const USER_AGENTS = {
  mobile: [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  ],
  desktop: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  ],
  tablet: [
    'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  ],
} as const satisfies Record<DeviceType, readonly string[]>;

/** Scrapers and scalper bots: some admit what they are, some pretend to be a browser. */
export const BOT_USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
  'python-requests/2.32.3',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
] as const;

/** How many distinct logged-in users draw from; ids are `u` plus a number below this. */
export const USER_POOL_SIZE = 200_000;
