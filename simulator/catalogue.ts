import { applyPriceEnding, type PriceEnding } from '../functions/domain/price-endings.js';
import type { Product } from '../functions/domain/product.js';
import { createRandom } from './random.js';
import { deriveSeed } from './seeds.js';

/** A category of the seed catalogue: what it sells and the price band it sells in (cents). */
interface CategorySpec {
  readonly slug: string;
  readonly minPrice: number;
  readonly maxPrice: number;
  /** Allowed range around the base price, as fractions: dynamic pricing moves inside it. */
  readonly floorPct: number;
  readonly ceilingPct: number;
  readonly adjectives: readonly string[];
  readonly nouns: readonly string[];
}

export const SEED_CATEGORIES: readonly CategorySpec[] = [
  {
    slug: 'electronics',
    minPrice: 1_999,
    maxPrice: 149_999,
    floorPct: 0.8,
    ceilingPct: 1.25,
    adjectives: ['Wireless', 'Smart', 'Compact', 'Pro', 'Noise-Cancelling', 'Portable'],
    nouns: ['Headphones', 'Speaker', 'Monitor', 'Keyboard', 'Webcam', 'Charger', 'Tablet', 'Router'],
  },
  {
    slug: 'home-garden',
    minPrice: 999,
    maxPrice: 49_999,
    floorPct: 0.75,
    ceilingPct: 1.3,
    adjectives: ['Ceramic', 'Oak', 'Stainless', 'Cordless', 'Woven', 'Solar'],
    nouns: ['Planter', 'Lamp', 'Kettle', 'Rug', 'Hose Reel', 'Cushion', 'Shelf', 'Grill'],
  },
  {
    slug: 'fashion',
    minPrice: 1_499,
    maxPrice: 29_999,
    floorPct: 0.6,
    ceilingPct: 1.3,
    adjectives: ['Linen', 'Merino', 'Denim', 'Leather', 'Waterproof', 'Classic'],
    nouns: ['Jacket', 'Sneakers', 'Scarf', 'Shirt', 'Belt', 'Boots', 'Dress', 'Backpack'],
  },
  {
    slug: 'beauty',
    minPrice: 499,
    maxPrice: 12_999,
    floorPct: 0.7,
    ceilingPct: 1.25,
    adjectives: ['Hydrating', 'Organic', 'Matte', 'Vitamin C', 'Gentle', 'Night'],
    nouns: ['Serum', 'Moisturiser', 'Cleanser', 'Lipstick', 'Sunscreen', 'Face Mask', 'Shampoo'],
  },
  {
    slug: 'sports',
    minPrice: 999,
    maxPrice: 79_999,
    floorPct: 0.75,
    ceilingPct: 1.3,
    adjectives: ['Carbon', 'Trail', 'Adjustable', 'Lightweight', 'Insulated', 'Pro'],
    nouns: ['Running Shoes', 'Yoga Mat', 'Dumbbells', 'Bike Helmet', 'Tent', 'Water Bottle', 'Racket'],
  },
  {
    slug: 'toys',
    minPrice: 599,
    maxPrice: 19_999,
    floorPct: 0.7,
    ceilingPct: 1.35,
    adjectives: ['Wooden', 'Remote-Control', 'Magnetic', 'Plush', 'Glow', 'Build-Your-Own'],
    nouns: ['Train Set', 'Puzzle', 'Robot', 'Teddy Bear', 'Drone', 'Board Game', 'Kite'],
  },
  {
    slug: 'books',
    minPrice: 499,
    maxPrice: 5_999,
    floorPct: 0.85,
    ceilingPct: 1.15,
    adjectives: ['Illustrated', 'Collected', 'Pocket', 'Annotated', 'Hardback', 'Complete'],
    nouns: ['Cookbook', 'Atlas', 'Novel', 'Field Guide', 'Poetry', 'History', 'Workbook'],
  },
  {
    slug: 'grocery',
    minPrice: 199,
    maxPrice: 4_999,
    floorPct: 0.85,
    ceilingPct: 1.2,
    adjectives: ['Organic', 'Single-Origin', 'Cold-Pressed', 'Smoked', 'Wholegrain', 'Spiced'],
    nouns: ['Coffee Beans', 'Olive Oil', 'Granola', 'Honey', 'Green Tea', 'Pasta', 'Chocolate'],
  },
  {
    slug: 'pet-supplies',
    minPrice: 399,
    maxPrice: 24_999,
    floorPct: 0.75,
    ceilingPct: 1.3,
    adjectives: ['Orthopedic', 'Chew-Proof', 'Automatic', 'Grain-Free', 'Reflective', 'Cosy'],
    nouns: ['Dog Bed', 'Cat Tree', 'Feeder', 'Leash', 'Kibble', 'Litter Box', 'Toy Bundle'],
  },
  {
    slug: 'automotive',
    minPrice: 799,
    maxPrice: 59_999,
    floorPct: 0.8,
    ceilingPct: 1.25,
    adjectives: ['Heavy-Duty', 'Magnetic', 'Digital', 'All-Weather', 'Foldable', 'LED'],
    nouns: ['Jump Starter', 'Dash Cam', 'Floor Mats', 'Tyre Inflator', 'Roof Box', 'Phone Mount'],
  },
];

/**
 * Unit costs are 54–66% of the base price: with the simulator's price elasticity of purchase (2.5),
 * the profit-maximising price is cost × 2.5 / 1.5, so the merchant's base prices sit at the optimum on
 * average, some a little above, some a little below, as a well-run shop's would.
 */
export const UNIT_COST_SHARE = { min: 0.54, max: 0.66 } as const;

export interface CatalogueOptions {
  /** @default 42 */
  readonly seed?: number;
  /** @default 240 (24 per category) */
  readonly productCount?: number;
  /** @default 'EUR' */
  readonly currency?: string;
}

const NINETY_NINE: PriceEnding = { modulus: 100, remainder: 99 };

/** The price ending in .99 nearest to `cents` (a real number; at least 0.99), by the policy's own ending rule. */
function endInNinetyNine(cents: number): number {
  const whole = Math.max(NINETY_NINE.remainder, Math.ceil(cents));
  return applyPriceEnding(whole, NINETY_NINE, NINETY_NINE.remainder, Number.MAX_SAFE_INTEGER).price;
}

/**
 * The seed catalogue: products spread round-robin over the categories, prices log-uniform inside
 * each category's band and ending in .99, bounds a category-specific fraction around the base, and
 * inventory from a few units (scarce items) to thousands. The same seed gives the same catalogue;
 * `now` only stamps `updatedAt`.
 */
export function generateCatalogue(now: string, options: CatalogueOptions = {}): Product[] {
  const random = createRandom(options.seed ?? 42);
  // Costs draw from a generator of their own, so the catalogue's other fields stay what the seed gave before.
  const costs = createRandom(deriveSeed(options.seed ?? 42, 'unit-cost'));
  const count = options.productCount ?? 240;
  const products: Product[] = [];
  for (let index = 0; index < count; index++) {
    const category = SEED_CATEGORIES[index % SEED_CATEGORIES.length] as CategorySpec;
    const basePrice = endInNinetyNine(random.logUniform(category.minPrice, category.maxPrice));
    const inventory = random.chance(0.1) ? random.int(1, 15) : Math.round(random.logUniform(20, 5_000));
    products.push({
      productId: `P${String(index + 1).padStart(5, '0')}`,
      name: `${random.pick(category.adjectives)} ${random.pick(category.nouns)}`,
      category: category.slug,
      currency: options.currency ?? 'EUR',
      basePrice,
      price: basePrice,
      floor: Math.floor(basePrice * category.floorPct),
      ceiling: Math.ceil(basePrice * category.ceilingPct),
      inventory,
      unitCost: Math.round(
        basePrice * (UNIT_COST_SHARE.min + costs.next() * (UNIT_COST_SHARE.max - UNIT_COST_SHARE.min)),
      ),
      restockAt: null,
      version: 1,
      lowest30d: basePrice,
      freeze: null,
      lastChangeAt: null,
      changesToday: null,
      demandReference: null,
      updatedAt: now,
    });
  }
  return products;
}
