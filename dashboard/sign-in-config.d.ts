/** The sign-in the dashboard function serves as ./sign-in-config.js (functions/handlers/dashboard-sign-in.ts). */
import type { SignInConfig } from '../functions/domain/api-types.js';

export declare const signInConfig: SignInConfig | null;
