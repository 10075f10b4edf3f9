/** Removes the cluster run's temporary folder, with the clusters' data and logs in it. */
import { removeRunTmpdir } from '../helpers/test-tmpdir';

export default function globalTeardown(): void {
  removeRunTmpdir();
}
