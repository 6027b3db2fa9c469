app.get('/', (req, res) => {
  try { res.json(JSON.parse(req.query.f)); } catch { res.sendStatus(400); }
});
