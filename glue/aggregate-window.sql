-- One product's demand in one window: the rich path's whole aggregation, run unchanged by Spark SQL
-- (3.3+, the Glue job) and by DuckDB (the local engine). Only ANSI constructs both accept: CASE,
-- SUM, COUNT(DISTINCT), CAST(… AS DOUBLE/BIGINT), SUBSTRING(s, 1, n), ROW_NUMBER() OVER, UNION,
-- LEFT JOIN, CROSS JOIN; every alias written with AS; no trailing semicolon (spark.sql refuses one).
--
-- Views the engine registers before running it:
--   window_bounds(windowStart, windowEnd, ordersStart, ordersEnd)
--                                           one row; canonical ISO-8601 ms strings (functions/domain/time.ts);
--                                           the orders' range lags the window (glue/window-config.json)
--   clicks(eventId, sessionId, eventType, productId, quantity, eventTime)
--                                           the window's (= micro-batch's) schema-valid events, as
--                                           parseClickEvent normalised them (eventTime canonical ISO)
--   products(productId, category, inventory, price)   the catalogue (price in cents)
--   orders(orderId, productId, quantity, unitPrice, orderedAt)   at least the orders of [ordersStart, ordersEnd)
--
-- Rules, each written here and nowhere else:
--   * Duplicates: one row per eventId is kept (producers re-send events; the first by eventTime wins,
--     ties broken by the counted fields, so which copy is kept never changes a count).
--   * Bots: a session with more than 200 unique events in one event-time minute (the window's events
--     only) is a bot, the fast path's threshold (session-activity.ts, botEventsPerMinute). All of its
--     events in the window are dropped; those naming a product are counted in that product's
--     botEventsDropped.
--   * Counts come from product events only (product_view, add_to_cart, remove_from_cart,
--     checkout_start, purchase); purchases counts purchase events, units and revenue come from orders
--     with ordersStart <= orderedAt < ordersEnd (revenue = SUM(quantity * unitPrice), integer cents):
--     consecutive batches' order ranges tile time, so each order is counted once, in the batch whose
--     range holds it, a grace period after it was placed.
--   * sessions: distinct non-bot sessions with a counted event for the product.
--   * Conversions: carts / views and purchases / views as DOUBLE, 0 when views = 0.
--   * Rows: one per catalogue product with a counted click, an order or a dropped bot event in the
--     window. Products missing from the catalogue get no row (category, inventory and price are
--     required); quiet products get none either, so a window writes what happened, not the catalogue.
--
-- Output columns match aggregateRowSchema (functions/domain/aggregate.ts); integers come back as
-- BIGINT, which each engine converts when it writes the row.
WITH unique_clicks AS (
  SELECT numbered.eventId AS eventId, numbered.sessionId AS sessionId, numbered.eventType AS eventType,
         numbered.productId AS productId, numbered.eventTime AS eventTime
  FROM (
    SELECT c.eventId AS eventId, c.sessionId AS sessionId, c.eventType AS eventType,
           c.productId AS productId, c.eventTime AS eventTime,
           ROW_NUMBER() OVER (
             PARTITION BY c.eventId
             ORDER BY c.eventTime, c.sessionId, c.eventType, c.productId, c.quantity
           ) AS copyNumber
    FROM clicks AS c
  ) AS numbered
  WHERE numbered.copyNumber = 1
),
bot_sessions AS (
  SELECT DISTINCT per_minute.sessionId AS sessionId
  FROM (
    SELECT u.sessionId AS sessionId, SUBSTRING(u.eventTime, 1, 16) AS eventMinute, COUNT(*) AS events
    FROM unique_clicks AS u
    GROUP BY u.sessionId, SUBSTRING(u.eventTime, 1, 16)
  ) AS per_minute
  WHERE per_minute.events > 200
),
product_clicks AS (
  SELECT u.productId AS productId, u.sessionId AS sessionId, u.eventType AS eventType,
         CASE WHEN b.sessionId IS NULL THEN 0 ELSE 1 END AS isBot
  FROM unique_clicks AS u
  LEFT JOIN bot_sessions AS b ON b.sessionId = u.sessionId
  WHERE u.productId IS NOT NULL
    AND u.eventType IN ('product_view', 'add_to_cart', 'remove_from_cart', 'checkout_start', 'purchase')
),
click_totals AS (
  SELECT pc.productId AS productId,
         SUM(CASE WHEN pc.isBot = 0 AND pc.eventType = 'product_view' THEN 1 ELSE 0 END) AS views,
         SUM(CASE WHEN pc.isBot = 0 AND pc.eventType = 'add_to_cart' THEN 1 ELSE 0 END) AS carts,
         SUM(CASE WHEN pc.isBot = 0 AND pc.eventType = 'remove_from_cart' THEN 1 ELSE 0 END) AS removes,
         SUM(CASE WHEN pc.isBot = 0 AND pc.eventType = 'checkout_start' THEN 1 ELSE 0 END) AS checkouts,
         SUM(CASE WHEN pc.isBot = 0 AND pc.eventType = 'purchase' THEN 1 ELSE 0 END) AS purchases,
         COUNT(DISTINCT CASE WHEN pc.isBot = 0 THEN pc.sessionId END) AS sessions,
         SUM(pc.isBot) AS botEventsDropped
  FROM product_clicks AS pc
  GROUP BY pc.productId
),
order_totals AS (
  SELECT o.productId AS productId,
         SUM(CAST(o.quantity AS BIGINT)) AS units,
         SUM(CAST(o.quantity AS BIGINT) * CAST(o.unitPrice AS BIGINT)) AS revenue
  FROM orders AS o
  CROSS JOIN window_bounds AS w
  WHERE o.orderedAt >= w.ordersStart AND o.orderedAt < w.ordersEnd
  GROUP BY o.productId
),
active_products AS (
  SELECT ct.productId AS productId FROM click_totals AS ct
  UNION
  SELECT ot.productId AS productId FROM order_totals AS ot
)
SELECT a.productId AS productId,
       w.windowStart AS windowStart,
       w.windowEnd AS windowEnd,
       CAST(COALESCE(ct.views, 0) AS BIGINT) AS views,
       CAST(COALESCE(ct.carts, 0) AS BIGINT) AS carts,
       CAST(COALESCE(ct.removes, 0) AS BIGINT) AS removes,
       CAST(COALESCE(ct.checkouts, 0) AS BIGINT) AS checkouts,
       CAST(COALESCE(ct.purchases, 0) AS BIGINT) AS purchases,
       CAST(COALESCE(ot.units, 0) AS BIGINT) AS units,
       CAST(COALESCE(ot.revenue, 0) AS BIGINT) AS revenue,
       CAST(COALESCE(ct.sessions, 0) AS BIGINT) AS sessions,
       CASE WHEN COALESCE(ct.views, 0) = 0 THEN CAST(0 AS DOUBLE)
            ELSE CAST(ct.carts AS DOUBLE) / CAST(ct.views AS DOUBLE) END AS viewToCart,
       CASE WHEN COALESCE(ct.views, 0) = 0 THEN CAST(0 AS DOUBLE)
            ELSE CAST(ct.purchases AS DOUBLE) / CAST(ct.views AS DOUBLE) END AS viewToPurchase,
       p.category AS category,
       CAST(p.inventory AS BIGINT) AS inventory,
       CAST(p.price AS BIGINT) AS price,
       CAST(COALESCE(ct.botEventsDropped, 0) AS BIGINT) AS botEventsDropped
FROM active_products AS a
JOIN products AS p ON p.productId = a.productId
CROSS JOIN window_bounds AS w
LEFT JOIN click_totals AS ct ON ct.productId = a.productId
LEFT JOIN order_totals AS ot ON ot.productId = a.productId
ORDER BY a.productId
