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
-0.06 1.48138856 1.35117583 1.6116013
0.94 1.81966056 1.64650593 1.99281519
1.94 20.3243208 -11.9257664 52.574408
EOD
$d1 << EOD
0 101.706913 100.867889 102.545937
1 100.355367 99.0710529 101.639682
2 187.975697 186.479257 189.472138
EOD
$d2 << EOD
0.06 98.6894331 98.2540447 99.1248214
1.06 97.2294878 96.5053735 97.9536022
2.06 185.501311 184.648231 186.354391
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
