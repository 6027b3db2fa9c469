app.get('/search', (req, res) => {
  const re = new RegExp(req.query.q, 'i');
  res.json(items.filter((item) => re.test(item.name)));
});
