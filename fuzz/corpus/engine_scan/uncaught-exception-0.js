app.get('/search', (req, res) => {
  const filter = JSON.parse(req.query.filter);
  res.json(find(filter));
});
