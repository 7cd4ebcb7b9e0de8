import express from "express";
import axios from "axios";
import { PrismaClient } from "@prisma/client";

const prisma = new PrismaClient();
const app = express();
app.use(express.json());

app.get("/users/:id/orders", async (req, res) => {
  const orders = await prisma.purchase.findMany({
    where: { userId: Number(req.params.id) },
    orderBy: { createdAt: "desc" },
  });
  res.json(orders);
});

app.get("/orders/:id", async (req, res, next) => {
  try {
    const order = await prisma.purchase.findUnique({ where: { id: Number(req.params.id) } });
    res.json({ id: order.id, total: order.total });
  } catch (err) {
    next(err);
  }
});

app.post("/orders", async (req, res, next) => {
  try {
    const { userId, total } = req.body;
    const order = await prisma.purchase.create({ data: { userId, total, status: "new" } });
    res.status(201).json(order);
  } catch (err) {
    next(err);
  }
});

app.get("/orders", async (req, res, next) => {
  try {
    const page = parseInt(req.query.page as string);
    const orders = await prisma.purchase.findMany({ skip: page * 20, take: 20 });
    res.json(orders);
  } catch (err) {
    next(err);
  }
});

app.post("/import", (req, res) => {
  const rows = JSON.parse(req.body.csv);
  res.json({ count: rows.length });
});

app.get("/rates", async (req, res, next) => {
  try {
    const { data } = await axios.get("https://rates.example.com/latest");
    res.json(data);
  } catch (err) {
    next(err);
  }
});

app.use((err: Error, req: express.Request, res: express.Response, next: express.NextFunction) => {
  res.status(500).json({ error: "internal error" });
});

app.listen(3000);
