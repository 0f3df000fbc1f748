// Seeds catalog.products for the demo connector 'catalog' (docker/connectors.yml). Run once by the mongodb-seed
// service of docker/compose.yml, against the replica set; a collection that already has documents is left alone, so
// restarting the stack keeps your own changes.
const products = db.getSiblingDB('catalog').getCollection('products');
const existing = products.countDocuments({});
if (existing > 0) {
  print(`catalog.products already has ${existing} documents; not seeding`);
} else {
  const now = new Date();
  const result = products.insertMany([
    { _id: 'sku-1001', name: 'Trail running shoes', brand: 'Northwind', category: 'shoes',
      price: NumberDecimal('129.90'), stock: 42, tags: ['running', 'trail'], updated_at: now },
    { _id: 'sku-1002', name: 'Road running shoes', brand: 'Northwind', category: 'shoes',
      price: NumberDecimal('109.00'), stock: 17, tags: ['running', 'road'], updated_at: now },
    { _id: 'sku-2001', name: 'Rain jacket', brand: 'Fjell', category: 'jackets',
      price: NumberDecimal('189.50'), stock: 8, tags: ['waterproof', 'hiking'],
      sizes: { S: 2, M: 3, L: 3 }, updated_at: now },
    { _id: 'sku-2002', name: 'Insulated vest', brand: 'Fjell', category: 'jackets',
      price: NumberDecimal('95.00'), stock: 0, tags: ['insulated'], updated_at: now },
    { _id: 'sku-3001', name: 'Headlamp 400 lm', brand: 'Lumen', category: 'gear',
      price: NumberDecimal('45.99'), stock: 120, tags: ['camping', 'night'],
      specs: { lumens: 400, battery: 'USB-C', weight_g: 86 }, updated_at: now },
    { _id: 'sku-3002', name: 'Trekking poles', brand: 'Lumen', category: 'gear',
      price: NumberDecimal('79.00'), stock: 33, tags: ['hiking'], updated_at: now },
  ]);
  print(`seeded catalog.products with ${Object.keys(result.insertedIds).length} documents`);
}
