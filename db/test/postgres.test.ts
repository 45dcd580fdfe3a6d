import { describe, it } from 'vitest';
import { repoContractSuite } from './repo-contract';

const url = process.env.TEST_DATABASE_URL;
if (url) {
  repoContractSuite('PostgreSQL', url);
} else {
  describe('persistence contract on PostgreSQL', () => {
    it.skip('needs TEST_DATABASE_URL (set by .ci/run)', () => {});
  });
}
