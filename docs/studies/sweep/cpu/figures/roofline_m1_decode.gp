set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-0.8m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.47856946 1.38726642 1.56987251
0.97 1.66271189 1.57647654 1.74894724
1.97 5.96367783 5.76590284 6.16145282
EOD
$d1 << EOD
0.03 2.23781025 2.21522572 2.26039478
1.03 2.37390107 2.31445936 2.43334278
2.03 5.71951877 5.64288675 5.79615079
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
