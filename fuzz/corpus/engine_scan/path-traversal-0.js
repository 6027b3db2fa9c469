app.get('/files/:name', (req, res) => {
  res.sendFile(path.join(__dirname, 'public', req.params.name));
});
