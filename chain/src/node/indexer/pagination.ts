/**
 * CometBFT v0.38's RPC pagination and ordering rules (`rpc/core/env.go`: validatePage,
 * validatePerPage, validateSkipCount; `tx_search` / `block_search` order_by handling), shared by
 * the indexers and any RPC endpoint that pages.
 */

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export type OrderBy = 'asc' | 'desc';

/** Bad paging or ordering input; `message` is CometBFT's wording, shown to RPC users. */
export class PaginationError extends Error {
  override readonly name = 'PaginationError';
}

/** `per_page`: absent or < 1 gives 30, above 100 gives 100. */
export function validatePerPage(perPage: number | undefined): number {
  if (perPage === undefined || !Number.isFinite(perPage) || perPage < 1) return DEFAULT_PER_PAGE;
  return Math.min(Math.floor(perPage), MAX_PER_PAGE);
}

/** `page` (1-based): absent gives 1; otherwise it must lie in [1, pages], an empty result having one page. */
export function validatePage(page: number | undefined, perPage: number, totalCount: number): number {
  if (page === undefined) return 1;
  const pages = Math.max(1, Math.floor((totalCount - 1) / perPage) + 1);
  if (!Number.isSafeInteger(page) || page <= 0 || page > pages) {
    throw new PaginationError(`page should be within [1, ${pages}] range, given ${page}`);
  }
  return page;
}

/** `order_by`: "asc", "desc", or empty/absent for the endpoint's default. */
export function validateOrderBy(orderBy: string | undefined, fallback: OrderBy): OrderBy {
  if (orderBy === undefined || orderBy === '') return fallback;
  if (orderBy === 'asc' || orderBy === 'desc') return orderBy;
  throw new PaginationError('expected order_by to be either `asc` or `desc` or empty');
}

export interface PageWindow {
  page: number;
  perPage: number;
  /** Index of the first item of the page in the full ordered result. */
  skip: number;
  /** Items on this page. */
  count: number;
}

/** Where page `page` of `totalCount` items lies; throws `PaginationError` for a page out of range. */
export function pageWindow(totalCount: number, page?: number, perPage?: number): PageWindow {
  const per = validatePerPage(perPage);
  const p = validatePage(page, per, totalCount);
  const skip = (p - 1) * per;
  return { page: p, perPage: per, skip, count: Math.max(0, Math.min(per, totalCount - skip)) };
}
