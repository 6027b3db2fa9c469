app.post('/hook', (req, res) => {
  if (req.get('x-signature') !== expectedSignature) return res.sendStatus(401);
});
