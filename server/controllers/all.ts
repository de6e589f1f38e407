/** The controllers the controller-manager runs. */
import type { ControllerFactory } from './manager.js';

export const controllers: readonly ControllerFactory[] = [];
