/**
 * What every client of the local services (the embedded stack, the simulator at explicit endpoints,
 * tests) agrees on: the region they report and the credentials they are given.
 */

/** The region the local stack reports; kinesalite builds its ARNs from the request's region. */
export const LOCAL_REGION = 'us-east-1';

/** The local services accept any credentials; fixed ones keep the SDK from searching for real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
