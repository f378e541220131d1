import type pg from 'pg';
import { jstDayRange, jstYesterday } from '../shared/jst';
import { mulberry32 } from '../shared/prng';

/**
 * Realistic, deterministic sample data for the etl source: the same seed and end date give the
 * same rows. Japanese regions, names and product categories; orders spread over `days` JST days
 * ending `endDate` (yesterday in JST by default) and every hour of the day; some cancelled, some
 * pending, most with several lines; a line's unit_price is the price at order time (sometimes a
 * sale price), which later differs from products.price.
 */
export const REGIONS = ['東京', '大阪', '名古屋', '福岡', '札幌', '仙台', '広島', '京都', '神戸', '横浜'];
const FAMILY = [
  '佐藤',
  '鈴木',
  '高橋',
  '田中',
  '伊藤',
  '渡辺',
  '山本',
  '中村',
  '小林',
  '加藤',
  '吉田',
  '山田',
];
const GIVEN = [
  '太郎',
  '花子',
  '翔太',
  '美咲',
  '健太',
  '陽菜',
  '大輔',
  '結衣',
  '拓也',
  'さくら',
  '直樹',
  '愛',
];
const ROMAJI = [
  'sato',
  'suzuki',
  'takahashi',
  'tanaka',
  'ito',
  'watanabe',
  'yamamoto',
  'nakamura',
  'kobayashi',
  'kato',
  'yoshida',
  'yamada',
];
const CATALOGUE: Record<string, string[]> = {
  家電: ['電気ケトル', 'ドライヤー', '炊飯器', 'ワイヤレスイヤホン', '加湿器'],
  食品: ['緑茶 100g', '米 5kg', 'インスタント味噌汁', '醤油 1L', '抹茶チョコレート'],
  書籍: ['料理の基本', 'はじめてのTypeScript', '日本の歴史', '旅行ガイド 京都'],
  衣料品: ['Tシャツ', 'デニムパンツ', '浴衣', 'ダウンジャケット', '靴下 3足組'],
  日用品: ['タオルセット', '食器用洗剤', '歯ブラシ 4本', 'ティッシュ 5箱'],
  スポーツ: ['ヨガマット', 'ランニングシューズ', 'ダンベル 5kg'],
  美容: ['化粧水', '日焼け止め', 'シャンプー'],
};

export interface SampleOptions {
  orders: number;
  /** Customers; by default one per 8 orders, at least 20, at most 100 000. */
  customers?: number;
  /** JST days the orders spread over, ending endDate. */
  days?: number;
  endDate?: string;
  seed?: number;
}

export interface SampleSummary {
  customers: number;
  products: number;
  orders: number;
  orderItems: number;
  from: string;
  to: string;
}

const BATCH = 5_000;

export async function insertSampleData(
  client: pg.ClientBase,
  options: SampleOptions,
): Promise<SampleSummary> {
  const random = mulberry32(options.seed ?? 20_260_401);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const days = options.days ?? 30;
  const endDate = options.endDate ?? jstYesterday();
  const end = jstDayRange(endDate).end.getTime();
  const start = end - days * 86_400_000;
  const customerCount = options.customers ?? Math.min(100_000, Math.max(20, Math.ceil(options.orders / 8)));

  const customers = {
    id: [] as number[],
    name: [] as string[],
    email: [] as string[],
    region: [] as string[],
    created: [] as string[],
  };
  for (let id = 1; id <= customerCount; id += 1) {
    const f = Math.floor(random() * FAMILY.length);
    customers.id.push(id);
    customers.name.push(`${FAMILY[f]} ${pick(GIVEN)}`);
    customers.email.push(`${ROMAJI[f]}.${id}@example.jp`);
    customers.region.push(pick(REGIONS));
    customers.created.push(new Date(start - Math.floor(random() * 365) * 86_400_000).toISOString());
  }
  await client.query(
    `INSERT INTO customers (customer_id, name, email, region, created_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
    [customers.id, customers.name, customers.email, customers.region, customers.created],
  );

  const products = {
    id: [] as number[],
    name: [] as string[],
    category: [] as string[],
    price: [] as number[],
  };
  for (const [category, names] of Object.entries(CATALOGUE)) {
    for (const name of names) {
      products.id.push(products.id.length + 1);
      products.name.push(name);
      products.category.push(category);
      products.price.push((Math.floor(random() * 150) + 3) * 100 - 20);
    }
  }
  await client.query(
    `INSERT INTO products (product_id, name, category, price)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::numeric[])`,
    [products.id, products.name, products.category, products.price],
  );

  let items = 0;
  for (let first = 1; first <= options.orders; first += BATCH) {
    const o = { id: [] as number[], customer: [] as number[], at: [] as string[], status: [] as string[] };
    const l = {
      order: [] as number[],
      line: [] as number[],
      product: [] as number[],
      qty: [] as number[],
      price: [] as number[],
    };
    for (let id = first; id < Math.min(first + BATCH, options.orders + 1); id += 1) {
      o.id.push(id);
      o.customer.push(1 + Math.floor(random() * customerCount));
      o.at.push(new Date(start + Math.floor(random() * (end - start))).toISOString());
      const roll = random();
      o.status.push(roll < 0.05 ? 'cancelled' : roll < 0.08 ? 'pending' : 'completed');
      const lines = 1 + Math.floor(random() * random() * 4);
      for (let line = 1; line <= lines; line += 1) {
        const p = Math.floor(random() * products.id.length);
        l.order.push(id);
        l.line.push(line);
        l.product.push(products.id[p]!);
        l.qty.push(1 + Math.floor(random() * random() * 5));
        // Price at order time: a sale now and then, and list prices that have moved since.
        const list = products.price[p]!;
        l.price.push(random() < 0.15 ? Math.round(list * 0.8) : list - (random() < 0.3 ? 100 : 0));
      }
    }
    await client.query(
      `INSERT INTO orders (order_id, customer_id, ordered_at, status)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[])`,
      [o.id, o.customer, o.at, o.status],
    );
    await client.query(
      `INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::integer[], $5::numeric[])`,
      [l.order, l.line, l.product, l.qty, l.price],
    );
    items += l.order.length;
  }
  const from = new Date(start + 9 * 3_600_000).toISOString().slice(0, 10);
  return {
    customers: customerCount,
    products: products.id.length,
    orders: options.orders,
    orderItems: items,
    from,
    to: endDate,
  };
}
