wrk.headers["Host"] = "shop.example"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
wrk.headers["Accept-Language"] = "en-US,en;q=0.9,de;q=0.8"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
if "get" == "json" then
  wrk.method = "POST"
  wrk.path = "/api/orders"
  wrk.headers["Accept"] = "application/json"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"user":{"id":42,"name":"Jane Doe","email":"jane@example.com"},"items":[{"sku":"A-100","qty":2},{"sku":"B-7","qty":1}],"note":"Please deliver after 5pm, thanks!"}'
else
  wrk.path = "/products?page=3&sort=price_asc&category=shoes"
  wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
end
