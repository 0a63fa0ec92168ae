import { setupServer } from 'msw/node';

/** The mock network for unit tests; each test declares the handlers it needs. */
export const server = setupServer();
