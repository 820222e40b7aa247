set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m2_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-18m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 5.59336236 4.60763436 6.57909036
0.97 1.43261044 1.26528078 1.5999401
1.97 1.08768345 0.809316032 1.36605087
EOD
$d1 << EOD
0.03 2.89601864 1.70139872 4.09063857
1.03 0.658258684 0.426216 0.890301367
2.03 0.88107062 0.622941445 1.1391998
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
