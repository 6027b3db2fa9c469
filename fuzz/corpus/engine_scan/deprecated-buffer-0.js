app.post('/echo', (req, res) => {
  res.send(new Buffer(req.body.data).toString('base64'));
});
