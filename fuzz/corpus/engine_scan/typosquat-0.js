{
  "name": "expresss",
  "version": "4.18.2"
}
