/**
 * @module render/catalog-table
 * `catalogTable()`: the whole check catalog (ALL_CHECKS) as the README's Markdown table.
 */
import { ALL_CHECKS } from '../checks/index.js';
import { renderCatalogTable } from './markdown.js';

export function catalogTable(): string {
  return renderCatalogTable(ALL_CHECKS);
}
