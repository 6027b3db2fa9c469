app.post('/login', (req, res) => {
  res.cookie('sid', token, { httpOnly: false });
});
