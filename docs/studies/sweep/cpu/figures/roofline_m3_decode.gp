set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m3_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-52m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.34450527 1.09707644 1.59193409
0.97 2.00638458 1.75086008 2.26190907
1.97 2.17308718 1.81152898 2.53464537
EOD
$d1 << EOD
0.03 1.21162717 1.03674971 1.38650462
1.03 1.46834913 1.40963322 1.52706503
2.03 1.87890985 1.85236474 1.90545495
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
